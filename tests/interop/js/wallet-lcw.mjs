// Plays the DCC Learner Credential Wallet in a VC-API exchange: reads the exchange from its
// deep link (https://lcw.app/request?request=<invitation>), POSTs {} to get the
// VerifiablePresentationRequest, answers its DIDAuthentication query with a presentation
// signed by a fresh did:key (Digital Bazaar's vc + eddsa-rdfc-2022), and collects what
// the exchange answers.
//
// Input: {"link": "https://lcw.app/request?request=…", "answers": [{…}, …]}: one POST per
// answer, in order; an answer may spoil the presentation: {"challenge": "other"},
// {"domain": "other.example"}, {"unsigned": true}, {"body": <sent as is>}.
// Prints {"request": <the VPR answer>, "did", "answers": [{"status", "body"}]}.
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {offlineLoader, printJson, readInput} from './documents.mjs';

const {link, answers} = readInput();
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
const key = await Ed25519Multikey.generate();
const did = `did:key:${key.publicKeyMultibase}`;
const signer = {...key.signer(), id: `${did}#${key.publicKeyMultibase}`};
const documentLoader = offlineLoader();

async function presentation(spoil) {
  const unsigned = vc.createPresentation({holder: did, version: 2.0});
  if(spoil.unsigned) {
    return unsigned;
  }
  return vc.signPresentation({
    presentation: unsigned,
    suite: new DataIntegrityProof({signer, cryptosuite}),
    challenge: spoil.challenge ?? challenge,
    domain: spoil.domain ?? domain,
    documentLoader
  });
}

const results = [];
for(const spoil of answers) {
  const body = 'body' in spoil ? spoil.body :
    {verifiablePresentation: await presentation(spoil)};
  results.push(await post(body));
}
printJson({request: first.body, did, answers: results});
