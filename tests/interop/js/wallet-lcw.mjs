// Plays the DCC Learner Credential Wallet in a VC-API exchange: reads the exchange from its
// deep link (https://lcw.app/request?request=<invitation>), POSTs {} to get the
// VerifiablePresentationRequest, answers its DIDAuthentication query with a presentation
// signed by a fresh did:key (Digital Bazaar's vc + eddsa-rdfc-2022), and collects what
// the exchange answers. With "suite": "Ed25519Signature2020" it signs as the Learner
// Credential Wallet itself does: that suite, on a VC 1.1 presentation.
//
// Input: {"link": "https://lcw.app/request?request=…", "answers": [{…}, …]}: one POST per
// answer, in order; an answer may spoil the presentation: {"challenge": "other"},
// {"domain": "other.example"}, {"unsigned": true}, {"tamper": true} (changed after
// signing), {"body": <sent as is>}.
// Prints {"request": <the VPR answer>, "did", "answers": [{"status", "body"}]}.
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {Ed25519VerificationKey2020} from '@digitalbazaar/ed25519-verification-key-2020';
import {offlineLoader, printJson, readInput} from './documents.mjs';

const {link, answers, suite: suiteName} = readInput();
const legacy = suiteName === 'Ed25519Signature2020';
const invitation = JSON.parse(new URL(link).searchParams.get('request'));
const exchangeUrl = invitation.protocols.vcapi;

async function post(body) {
  const response = await fetch(exchangeUrl, {
    method: 'POST',
    headers: {'Content-Type': 'application/json', Accept: 'application/json'},
    body: JSON.stringify(body)
  });
  return {status: response.status, body: await response.json()};
}

const first = await post({});
const {challenge, domain, query} = first.body.verifiablePresentationRequest;
if(!query.some(item => item.type === 'DIDAuthentication')) {
  throw new Error('The exchange asked for no DID authentication.');
}
const key = legacy ? await Ed25519VerificationKey2020.generate() :
  await Ed25519Multikey.generate();
const did = `did:key:${key.publicKeyMultibase}`;
const signer = {...key.signer(), id: `${did}#${key.publicKeyMultibase}`};
const documentLoader = offlineLoader();

async function presentation(spoil) {
  const unsigned = vc.createPresentation({holder: did, version: legacy ? 1.0 : 2.0});
  if(spoil.unsigned) {
    return unsigned;
  }
  const signed = await vc.signPresentation({
    presentation: unsigned,
    suite: legacy ? new Ed25519Signature2020({signer}) :
      new DataIntegrityProof({signer, cryptosuite}),
    challenge: spoil.challenge ?? challenge,
    domain: spoil.domain ?? domain,
    documentLoader
  });
  if(spoil.tamper) {
    signed.proof.created = '2020-01-01T00:00:00Z';
  }
  return signed;
}

const results = [];
for(const spoil of answers) {
  const body = 'body' in spoil ? spoil.body :
    {verifiablePresentation: await presentation(spoil)};
  results.push(await post(body));
}
printJson({request: first.body, did, answers: results});
