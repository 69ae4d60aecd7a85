// Digital Bazaar issues an eddsa-rdfc-2022 credential with a fresh did:key, offline.
//
// Input (file argument or stdin): an unsigned credential, or {"credential": {...},
// "created": "2026-11-23T10:00:00Z"?}. The issuer id becomes the new did:key (the
// verification method's controller must be the issuer). Prints the signed credential.
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {offlineLoader, printJson, readInput} from './documents.mjs';

const input = readInput();
const {credential, created} = input.credential ? input : {credential: input};
const key = await Ed25519Multikey.generate();
const did = `did:key:${key.publicKeyMultibase}`;
const signer = {...key.signer(), id: `${did}#${key.publicKeyMultibase}`};
const issuer = typeof credential.issuer === 'object' ?
  {...credential.issuer, id: did} : did;
const signed = await vc.issue({
  credential: {...credential, issuer},
  suite: new DataIntegrityProof({
    signer, cryptosuite, ...(created ? {date: created} : {})
  }),
  documentLoader: offlineLoader(),
  ...(created ? {now: created} : {})
});
printJson(signed);
