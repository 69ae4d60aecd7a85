// Digital Bazaar's vc.issue and vc.verifyCredential on one unsigned credential, timed.
//
// Usage: node tests/interop/js/bench.mjs <credential.json>
// The credential's issuer gets a fresh Ed25519 Multikey as "<issuer id>#key-1", served
// with its DID document by the offline loader (bundled contexts, as Laurel's side uses).
// Like Laurel's side of bench/credentials.py, only the proof is measured: the status
// entry is not looked up. Each operation is warmed up, then timed in ROUNDS rounds of
// about BENCH_SECONDS seconds each (default 3); the median rate is printed as the last
// line: {"issue_per_s": …, "verify_per_s": …}.
import {readFileSync} from 'node:fs';
import {performance} from 'node:perf_hooks';
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {DID_CONTEXTS, offlineLoader, printJson} from './documents.mjs';

const ROUNDS = 3;
const WARM_UP = 20;
const ROUND_SECONDS = Number(process.env.BENCH_SECONDS || 3);

const credential = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuerId = typeof credential.issuer === 'object' ? credential.issuer.id : credential.issuer;
const methodId = `${issuerId}#key-1`;
const key = await Ed25519Multikey.generate({id: methodId, controller: issuerId});
const method = await key.export({publicKey: true, includeContext: false});
const documentLoader = offlineLoader([{
  '@context': DID_CONTEXTS,
  id: issuerId,
  verificationMethod: [method],
  assertionMethod: [methodId]
}]);
const now = credential.validFrom;
const noStatusLookup = async () => ({verified: true});

async function issue() {
  return vc.issue({
    credential: structuredClone(credential),
    suite: new DataIntegrityProof({signer: key.signer(), cryptosuite}),
    documentLoader,
    now
  });
}

const signed = await issue();

async function verify() {
  const result = await vc.verifyCredential({
    credential: signed,
    suite: new DataIntegrityProof({cryptosuite}),
    documentLoader,
    checkStatus: noStatusLookup,
    now
  });
  if(!result.verified) {
    throw new Error(`vc-js did not verify its own credential: ${result.error?.message}`);
  }
}

async function perSecond(operation) {
  for(let i = 0; i < WARM_UP; i++) {
    await operation();
  }
  const rates = [];
  for(let round = 0; round < ROUNDS; round++) {
    let count = 0;
    const start = performance.now();
    const end = start + ROUND_SECONDS * 1000;
    while(performance.now() < end) {
      await operation();
      count++;
    }
    rates.push(count / ((performance.now() - start) / 1000));
  }
  rates.sort((a, b) => a - b);
  return Math.round(rates[Math.floor(ROUNDS / 2)] * 10) / 10;
}

printJson({issue_per_s: await perSecond(issue), verify_per_s: await perSecond(verify)});
