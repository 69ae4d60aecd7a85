// Digital Bazaar issues eddsa-rdfc-2022 credentials with a fresh did:key, offline.
//
// Input (file argument or stdin): an unsigned credential, or {"credential": {...}} or
// {"credentials": [...]} (all signed with the same new key, e.g. a credential and its
// status list credential), with "created": "2026-11-23T10:00:00Z"?. Each issuer id becomes
// the new did:key (the verification method's controller must be the issuer).
// "cryptosuite": "eddsa-jcs-2022" signs with that suite instead of eddsa-rdfc-2022.
// Prints the signed credential, or an array of them for "credentials".
// With {"presentation": {...}, "challenge": "...", "domain": "..."?} (and optionally
// "credentials" to sign first and embed), the new did:key is the holder and signs the
// presentation (authentication proof); prints the signed presentation.
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as rdfc} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {createSignCryptosuite} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {offlineLoader, printJson, readInput} from './documents.mjs';

const input = readInput();
const {credential, credentials, created, presentation, challenge, domain} =
  input.credential || input.credentials || input.presentation ? input : {credential: input};
const cryptosuite = input.cryptosuite === 'eddsa-jcs-2022' ? createSignCryptosuite() : rdfc;
const key = await Ed25519Multikey.generate();
const did = `did:key:${key.publicKeyMultibase}`;
const signer = {...key.signer(), id: `${did}#${key.publicKeyMultibase}`};
const documentLoader = offlineLoader();

async function issue(unsigned) {
  const issuer = typeof unsigned.issuer === 'object' ? {...unsigned.issuer, id: did} : did;
  return vc.issue({
    credential: {...unsigned, issuer},
    suite: new DataIntegrityProof({signer, cryptosuite, ...(created ? {date: created} : {})}),
    documentLoader,
    ...(created ? {now: created} : {})
  });
}

if(presentation) {
  const embedded = [];
  for(const unsigned of credentials || []) {
    embedded.push(await issue(unsigned));
  }
  printJson(await vc.signPresentation({
    presentation: {
      ...presentation,
      holder: did,
      ...(embedded.length ? {verifiableCredential: embedded} : {})
    },
    suite: new DataIntegrityProof({signer, cryptosuite, ...(created ? {date: created} : {})}),
    challenge,
    ...(domain ? {domain} : {}),
    documentLoader
  }));
} else if(credentials) {
  const signed = [];
  for(const unsigned of credentials) {
    signed.push(await issue(unsigned));
  }
  printJson(signed);
} else {
  printJson(await issue(credential));
}
