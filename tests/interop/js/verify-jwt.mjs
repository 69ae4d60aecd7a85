// jose verifies a VC-JWT against a JWK Set, offline.
//
// Input (file argument or stdin): {"jwt": "h.p.s", "jwks": {"keys": [...]},
// "now": "2026-11-23T10:00:00Z"?}. Only RS256 and ES256 are accepted (what OB 3.0 and
// 1EdTech's validator allow) and the header must say typ "JWT".
// Prints {"verified": true, "header": {...}, "payload": {...}}
//     or {"verified": false, "error": "message", "code": "ERR_…"}.
import {createLocalJWKSet, jwtVerify} from 'jose';
import {printJson, readInput} from './documents.mjs';

const {jwt, jwks, now} = readInput();
try {
  const {payload, protectedHeader} = await jwtVerify(jwt, createLocalJWKSet(jwks), {
    algorithms: ['RS256', 'ES256'],
    typ: 'JWT',
    ...(now ? {currentDate: new Date(now)} : {})
  });
  printJson({verified: true, header: protectedHeader, payload});
} catch(error) {
  printJson({verified: false, error: error.message, code: error.code ?? null});
}
