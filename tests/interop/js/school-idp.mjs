// A school's OpenID Provider, built on panva's oidc-provider (shares no code with Laurel or
// Authlib): Laurel's single sign-on is tested against it.
//
// Usage: node school-idp.mjs PORT. Serves on http://127.0.0.1:PORT until killed.
//   GET  /.well-known/openid-configuration, /jwks, /auth; POST /reg, /token: oidc-provider's
//                        own (dynamic registration on, PKCE S256 required, RS256 ID tokens
//                        that carry the email and profile claims)
//   GET  /interaction/:uid   signs in the account set by /control and grants what was asked
//   POST /control        {"account": {"sub", "email", "email_verified", "name"},
//                         "tamper": null | "nonce" | "aud" | "exp"}: who signs in next, and
//                        (test-only) an ID token to spoil in the next token answer: re-signed
//                        with the provider's own key after its nonce, audience or expiry is
//                        changed, so only the claim check can catch it
import http from 'node:http';
import {SignJWT, decodeJwt, exportJWK, generateKeyPair} from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
const origin = `http://127.0.0.1:${port}`;
const KID = 'school-idp-key';

const {privateKey} = await generateKeyPair('RS256', {extractable: true});
const jwk = {...await exportJWK(privateKey), kid: KID, alg: 'RS256', use: 'sig'};

const control = {
  account: {sub: 'student-1', email: 'sam@maplegrove.test', email_verified: true, name: 'Sam'},
  tamper: null,
};
const accounts = new Map();

const provider = new Provider(origin, {
  cookies: {keys: ['a-test-only-cookie-key-for-the-school-idp']},
  jwks: {keys: [jwk]},
  clients: [],
  scopes: ['openid', 'email', 'profile'],
  claims: {openid: ['sub'], email: ['email', 'email_verified'], profile: ['name']},
  conformIdTokenClaims: false,
  findAccount: async (ctx, sub) => ({
    accountId: sub,
    claims: async () => ({...accounts.get(sub), sub}),
  }),
  interactions: {url: (ctx, interaction) => `/interaction/${interaction.uid}`},
  pkce: {methods: ['S256'], required: () => true},
  features: {devInteractions: {enabled: false}, registration: {enabled: true}},
  ttl: {AccessToken: 600, AuthorizationCode: 60, Grant: 3600, Interaction: 600, Session: 3600,
    IdToken: 600},
});
provider.proxy = false;

function send(res, status, body) {
  res.writeHead(status, {'content-type': 'application/json'});
  res.end(JSON.stringify(body));
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if(details.prompt.name === 'login') {
    accounts.set(control.account.sub, control.account);
    return provider.interactionFinished(req, res, {login: {accountId: control.account.sub}});
  }
  const grant = details.grantId ? await provider.Grant.find(details.grantId) :
    new provider.Grant({accountId: details.session.accountId, clientId: details.params.client_id});
  const missing = details.prompt.details;
  if(missing.missingOIDCScope) {
    grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  }
  if(missing.missingOIDCClaims) {
    grant.addOIDCClaims(missing.missingOIDCClaims);
  }
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, {consent: {grantId}}, {mergeWithLastSubmission: true});
}

// The spoiled ID token: the real one's claims with one changed, signed with the real key.
async function spoil(idToken, how) {
  const claims = decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  if(how === 'nonce') {
    claims.nonce = 'a-nonce-of-another-sign-in';
  } else if(how === 'aud') {
    claims.aud = 'another-application';
  } else if(how === 'exp') {
    claims.iat = now - 7200;
    claims.exp = now - 3600;
  }
  return new SignJWT(claims).setProtectedHeader({alg: 'RS256', kid: KID}).sign(privateKey);
}

// Holds back oidc-provider's token answer to spoil its ID token (Content-Length is dropped:
// the body changes length, node then sends it chunked).
function spoilTokenAnswer(res, how) {
  const end = res.end.bind(res);
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name, value) =>
    (name.toLowerCase() === 'content-length' ? res : setHeader(name, value));
  res.end = (chunk, ...rest) => {
    const answer = JSON.parse(String(chunk));
    if(!answer.id_token) {
      return end(chunk, ...rest);
    }
    spoil(answer.id_token, how).then(idToken => end(JSON.stringify({...answer, id_token: idToken})));
    return res;
  };
}

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  const path = new URL(req.url, origin).pathname;
  try {
    if(req.method === 'GET' && path.startsWith('/interaction/')) {
      return await interaction(req, res);
    }
    if(req.method === 'POST' && path === '/control') {
      Object.assign(control, JSON.parse(await readBody(req)));
      return send(res, 200, control);
    }
    if(req.method === 'POST' && path === '/token' && control.tamper) {
      spoilTokenAnswer(res, control.tamper);
      control.tamper = null;
    }
    return callback(req, res);
  } catch(error) {
    return send(res, 500, {error: 'server_error', error_description: String(error)});
  }
});
server.listen(port, '127.0.0.1');
