// A verifier that knows nothing of Laurel: it resolves a VC-JWT's `kid` as a DID URL
// (did:web, over HTTPS, as the did:web method specifies) and checks the JWT with jose.
//
// Input (file argument or stdin): {"jwt": "h.p.s", "now": "2026-11-23T10:00:00Z"?}.
// The DID document is fetched from the network (the test serves it on loopback HTTPS;
// NODE_EXTRA_CA_CERTS names its certificate). No JWKS is read.
// Prints {"verified": true, "header": {...}, "payload": {...}, "documentBytes": n}
//     or {"verified": false, "error": "message", "code": "ERR_…"?}.
import {decodeProtectedHeader, importJWK, jwtVerify} from 'jose';
import {printJson, readInput} from './documents.mjs';

// did:web:host%3Aport:path -> https://host:port/path/did.json (or /.well-known/did.json).
function didWebUrl(did) {
  const parts = did.split(':');
  if(parts.length < 3 || parts[0] !== 'did' || parts[1] !== 'web') {
    throw new Error(`not a did:web: ${did}`);
  }
  const host = decodeURIComponent(parts[2]);
  const path = parts.slice(3).map(decodeURIComponent);
  return `https://${host}/${path.length ? path.join('/') : '.well-known'}/did.json`;
}

async function resolveKey(kid, alg) {
  const did = kid.split('#')[0];
  const response = await fetch(didWebUrl(did), {headers: {accept: 'application/did+json'}});
  if(!response.ok) {
    throw new Error(`the DID document answered ${response.status}`);
  }
  const text = await response.text();
  const document = JSON.parse(text);
  if(document.id !== did) {
    throw new Error(`the DID document is for ${document.id}, not ${did}`);
  }
  const absolute = id => (id.startsWith('#') ? `${did}${id}` : id);
  const method = (document.verificationMethod || []).find(m => absolute(m.id) === kid);
  if(!method) {
    throw new Error(`${kid} is not a verification method of ${did}`);
  }
  const assertion = (document.assertionMethod || []).map(
    m => absolute(typeof m === 'string' ? m : m.id));
  if(!assertion.includes(kid)) {
    throw new Error(`${kid} is not an assertion method of ${did}`);
  }
  if(method.controller !== did || !method.publicKeyJwk) {
    throw new Error(`${kid} has no public JWK controlled by ${did}`);
  }
  return {key: await importJWK(method.publicKeyJwk, alg), documentBytes: text.length};
}

const {jwt, now} = readInput();
try {
  const header = decodeProtectedHeader(jwt);
  if(typeof header.kid !== 'string') {
    throw new Error('the JWT header has no kid');
  }
  const {key, documentBytes} = await resolveKey(header.kid, header.alg);
  const {payload, protectedHeader} = await jwtVerify(jwt, key, {
    algorithms: ['RS256', 'ES256'],
    typ: 'JWT',
    ...(now ? {currentDate: new Date(now)} : {})
  });
  printJson({verified: true, header: protectedHeader, payload, documentBytes});
} catch(error) {
  printJson({verified: false, error: error.message, code: error.code ?? null});
}
