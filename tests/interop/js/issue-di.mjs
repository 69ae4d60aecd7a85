// Digital Bazaar issues eddsa-rdfc-2022 credentials with a fresh did:key, offline.
//
// Input (file argument or stdin): an unsigned credential, or {"credential": {...}} or
// {"credentials": [...]} (all signed with the same new key, e.g. a credential and its
// status list credential), with "created": "2026-11-23T10:00:00Z"?. Each issuer id becomes
// the new did:key (the verification method's controller must be the issuer).
// Prints the signed credential, or an array of them for "credentials".
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {offlineLoader, printJson, readInput} from './documents.mjs';

const input = readInput();
const {credential, credentials, created} =
  input.credential || input.credentials ? input : {credential: input};
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

if(credentials) {
  const signed = [];
  for(const unsigned of credentials) {
    signed.push(await issue(unsigned));
  }
  printJson(signed);
} else {
  printJson(await issue(credential));
}
