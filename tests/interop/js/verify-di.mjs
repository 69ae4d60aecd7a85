// Digital Bazaar verifies Data Integrity (eddsa-rdfc-2022) credentials, offline.
//
// Input (file argument or stdin): {"credential": {...}} or {"credentials": [...]}, with
// "documents": [DID documents and status list credentials, each served at its id] and
// "now": "2026-11-23T10:00:00Z"? (the moment vc-js checks validity dates against) and
// "contexts": {url: context}? (replacing a bundled context, as another verifier may have it).
// With "host": {"origin": "https://laurel.test", "server": "http://127.0.0.1:8000"}, the
// issuer's documents are fetched over HTTP from that static host instead of `documents`,
// and each result also lists the URLs "fetched" from it.
// Works for OpenBadgeCredentials, BitstringStatusListCredentials, ClrCredentials and plain
// W3C credentials, with eddsa-rdfc-2022 or eddsa-jcs-2022 proofs (a proof set is checked
// proof by proof).
// With {"presentation": {...}, "challenge": "...", "domain": "..."?} it verifies a
// verifiable presentation (the holder's authentication proof and each credential in it)
// and prints {"verified", "error", "credentials": [{"verified", "error"}]}.
// A credentialStatus is checked with @digitalbazaar/vc-bitstring-status-list, which
// verifies the status list credential found among `documents` and reads the bit.
// Prints, per credential, {"verified": bool, "error": "messages" | null,
//   "statuses": [{"statusPurpose", "statusListIndex", "status": bool}]}: one object for
// "credential", an array for "credentials".
import * as vc from '@digitalbazaar/vc';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {cryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {createVerifyCryptosuite} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {
  describeError, hostedLoader, offlineLoader, printJson, readInput
} from './documents.mjs';

const {
  credential, credentials, presentation, challenge, domain, documents = [], contexts = {}, now,
  host
} = readInput();

function suites() {
  return [
    new DataIntegrityProof({cryptosuite}),
    new DataIntegrityProof({cryptosuite: createVerifyCryptosuite()})
  ];
}

async function verifyPresentation() {
  const result = await vc.verify({
    presentation,
    challenge,
    ...(domain ? {domain} : {}),
    suite: suites(),
    documentLoader: offlineLoader(documents, contexts),
    checkStatus,
    ...(now ? {now} : {})
  });
  const failure = result.error ?? result.presentationResult?.error ??
    result.presentationResult?.results?.find(item => !item.verified)?.error;
  return {
    verified: result.verified === true,
    error: result.verified ? null : describeError(failure) ?? 'not verified',
    presentationVerified: result.presentationResult?.verified === true,
    credentials: (result.credentialResults || []).map(item => ({
      verified: item.verified === true,
      error: item.verified ? null : describeError(item.error) ?? 'not verified'
    }))
  };
}

async function verify(candidate) {
  const fetched = [];
  const documentLoader = host ?
    hostedLoader(host, fetched, contexts) : offlineLoader(documents, contexts);
  const result = await vc.verifyCredential({
    credential: candidate,
    suite: suites(),
    documentLoader,
    checkStatus,
    ...(now ? {now} : {})
  });
  const statuses = (result.statusResult?.results || []).map(
    ({credentialStatus, status}) => ({
      statusPurpose: credentialStatus.statusPurpose,
      statusListIndex: credentialStatus.statusListIndex,
      status
    }));
  const failure = result.error ?? result.statusResult?.error ??
    result.results?.find(item => !item.verified)?.error;
  return {
    verified: result.verified === true,
    error: result.verified ? null : describeError(failure) ?? 'not verified',
    statuses,
    ...(host ? {fetched} : {})
  };
}

if(presentation) {
  printJson(await verifyPresentation());
} else if(credentials) {
  const results = [];
  for(const candidate of credentials) {
    results.push(await verify(candidate));
  }
  printJson(results);
} else {
  printJson(await verify(credential));
}
