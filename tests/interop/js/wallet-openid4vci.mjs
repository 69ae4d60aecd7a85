// Plays a wallet receiving a credential by OpenID4VCI 1.0 (pre-authorized code flow) with the
// OpenWallet Foundation's @openid4vc/openid4vci client, signing its proofs with jose.
//
// Input: {"offer": "openid-credential-offer://?credential_offer_uri=…", "pin": "123456"?,
// "requests": [{"configuration": "<credential configuration id>", "signer": "did"|"jwk"}]}.
// One Ed25519 key is the holder's: named by its did:key (kid) or given as a jwk.
// Prints {"offer", "issuer", "token", "credentials": [{configuration, format, credential}],
// "did"}. Loopback is http, so the library is told to allow insecure URLs.
import {createHash, randomBytes} from 'node:crypto';
import * as jose from 'jose';
import {encode as base58} from 'base58-universal';
import {Openid4vciClient} from '@openid4vc/openid4vci';
import {clientAuthenticationAnonymous} from '@openid4vc/oauth2';
import {setGlobalConfig} from '@openid4vc/utils';
import {printJson, readInput} from './documents.mjs';

setGlobalConfig({allowInsecureUrls: true});
const {offer, pin, requests} = readInput();
const {publicKey, privateKey} = await jose.generateKeyPair('EdDSA', {crv: 'Ed25519'});
const publicJwk = await jose.exportJWK(publicKey);
const raw = Buffer.from(publicJwk.x, 'base64url');
const did = `did:key:z${base58(Uint8Array.from([0xed, 0x01, ...raw]))}`;

const client = new Openid4vciClient({
  callbacks: {
    hash: (data, alg) => new Uint8Array(
      createHash(alg.replace('-', '').toLowerCase()).update(data).digest()),
    generateRandom: length => new Uint8Array(randomBytes(length)),
    clientAuthentication: clientAuthenticationAnonymous(),
    signJwt: async (signer, {header, payload}) => ({
      jwt: await new jose.SignJWT(payload).setProtectedHeader(header).sign(privateKey),
      signerJwk: publicJwk
    })
  }
});

const credentialOffer = await client.resolveCredentialOffer(offer);
const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
const {accessTokenResponse} = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
  credentialOffer,
  issuerMetadata,
  ...(pin ? {txCode: pin} : {})
});
const credentials = [];
for(const {configuration, signer} of requests) {
  const {c_nonce: nonce} = await client.requestNonce({issuerMetadata});
  const {jwt} = await client.createCredentialRequestJwtProof({
    issuerMetadata,
    credentialConfigurationId: configuration,
    nonce,
    signer: signer === 'jwk' ?
      {method: 'jwk', publicJwk, alg: 'EdDSA'} :
      {method: 'did', didUrl: `${did}#${did.slice('did:key:'.length)}`, alg: 'EdDSA'}
  });
  const response = await client.retrieveCredentials({
    issuerMetadata,
    accessToken: accessTokenResponse.access_token,
    credentialConfigurationId: configuration,
    proofs: {jwt: [jwt]}
  });
  const format = issuerMetadata.credentialIssuer
    .credential_configurations_supported[configuration].format;
  credentials.push({
    configuration,
    format,
    credential: response.credentialResponse.credentials[0].credential
  });
}
printJson({
  offer: credentialOffer,
  issuer: issuerMetadata.credentialIssuer.credential_issuer,
  token: {token_type: accessTokenResponse.token_type, expires_in: accessTokenResponse.expires_in},
  credentials,
  did
});
