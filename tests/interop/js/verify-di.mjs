// Digital Bazaar verifies a Data Integrity (eddsa-rdfc-2022) credential, offline.
//
// Input (file argument or stdin): {"credential": {...}, "documents": [DID documents and
// status list credentials, each served at its id], "now": "2026-11-23T10:00:00Z"?}.
// Works for OpenBadgeCredentials, BitstringStatusListCredentials and ClrCredentials.
// A credentialStatus is checked with @digitalbazaar/vc-bitstring-status-list, which
// verifies the status list credential found among `documents` and reads the bit.
// Prints {"verified": bool, "error": "messages" | null,
//         "statuses": [{"statusPurpose", "statusListIndex", "status": bool}]}.
import * as vc from '@digitalbazaar/vc';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {cryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {describeError, offlineLoader, printJson, readInput} from './documents.mjs';

const {credential, documents = [], now} = readInput();
const result = await vc.verifyCredential({
  credential,
  suite: new DataIntegrityProof({cryptosuite}),
  documentLoader: offlineLoader(documents),
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
printJson({
  verified: result.verified === true,
  error: result.verified ? null : describeError(failure) ?? 'not verified',
  statuses
});
