// jose signs a credential as an Open Badges 3.0 VC-JWT with a fresh key, offline.
//
// Input (file argument or stdin): {"credential": {...}, "alg": "RS256" | "ES256", "kid": "…"}.
// The payload is the credential plus iss (issuer id), jti (id), sub (credentialSubject.id),
// nbf (validFrom) and exp (validUntil, when set); the header is {alg, kid, typ: "JWT"}.
// Prints {"jwt": "h.p.s", "jwk": {public JWK with kid, alg, use}}.
import {exportJWK, generateKeyPair, SignJWT} from 'jose';
import {printJson, readInput} from './documents.mjs';

const {credential, alg, kid} = readInput();
const seconds = text => Math.floor(Date.parse(text) / 1000);
const claims = {
  iss: typeof credential.issuer === 'object' ? credential.issuer.id : credential.issuer,
  jti: credential.id,
  sub: credential.credentialSubject.id,
  nbf: seconds(credential.validFrom),
  ...(credential.validUntil ? {exp: seconds(credential.validUntil)} : {})
};
const {publicKey, privateKey} = await generateKeyPair(alg, {modulusLength: 3072});
const jwt = await new SignJWT({...credential, ...claims})
  .setProtectedHeader({alg, kid, typ: 'JWT'})
  .sign(privateKey);
printJson({jwt, jwk: {...await exportJWK(publicKey), kid, alg, use: 'sig'}});
