// Another school's Open Badges 3.0 backpack, built on panva's oidc-provider (an OAuth 2.0
// authorization server that shares no code with Laurel): the test sends credentials to it.
//
// Usage: node other-backpack.mjs PORT. Serves on http://127.0.0.1:PORT until killed.
//   GET  /ims/ob/v3p0/discovery    the Service Description Document: registration (RFC 7591),
//                                  authorization and token endpoints, the four OB 3.0 scopes
//   POST /reg, GET /auth, POST /token   oidc-provider's own endpoints (PKCE S256 required)
//   POST /token/revocation         RFC 7009 revocation (oidc-provider's); its metadata at
//                                  /.well-known/openid-configuration names it and promises
//                                  `iss` in authorization answers (RFC 9207)
//   GET  /interaction/:uid         signs in the one learner and grants what was asked, or
//                                  refuses (access_denied) when told to by /control
//   POST /ims/ob/v3p0/credentials  upsertCredential: the bearer token is looked up with
//                                  provider.AccessToken.find and must hold credential.upsert;
//                                  the body is recorded byte for byte
//   GET  /received                 {"credentials": [{"body", "contentType", "accountId"}],
//                                  "grants": ["authorization_code", "refresh_token", ...]}
//   POST /control                  {"denyConsent": bool, "refuseRegistration": bool,
//                                   "upsertStatus": number|null, "refuseRevocation": bool,
//                                   "hideMetadata": bool, "reset": bool}: how the next
//                                  requests go (reset forgets what was received);
//                                  hideMetadata answers 404 at /.well-known/*
import http from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
const origin = `http://127.0.0.1:${port}`;
const apiBase = `${origin}/ims/ob/v3p0`;
const SCOPE = 'https://purl.imsglobal.org/spec/ob/v3p0/scope/';
const SCOPES = ['credential.readonly', 'credential.upsert', 'profile.readonly', 'profile.update']
  .map(name => SCOPE + name);
const UPSERT = SCOPE + 'credential.upsert';
const ACCOUNT = 'learner-at-the-other-backpack';

const control = {
  denyConsent: false, refuseRegistration: false, upsertStatus: null, refuseRevocation: false,
  hideMetadata: false,
};
const received = {credentials: [], grants: []};

const provider = new Provider(origin, {
  cookies: {keys: ['a-test-only-cookie-key-for-the-other-backpack']},
  clients: [],
  scopes: SCOPES,
  findAccount: async (ctx, sub) => ({accountId: sub, claims: async () => ({sub})}),
  interactions: {url: (ctx, interaction) => `/interaction/${interaction.uid}`},
  pkce: {methods: ['S256'], required: () => true},
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  extraClientMetadata: {properties: ['software_id', 'software_version']},
  features: {
    devInteractions: {enabled: false},
    registration: {enabled: true},
    revocation: {enabled: true},
    resourceIndicators: {
      enabled: true,
      defaultResource: () => apiBase,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({scope: SCOPES.join(' '), accessTokenFormat: 'opaque'}),
    },
  },
  ttl: {AccessToken: 600, AuthorizationCode: 60, Grant: 3600, Interaction: 600, Session: 3600,
    RefreshToken: 3600},
});
provider.proxy = false;
provider.on('grant.success', ctx => received.grants.push(ctx.oidc.params.grant_type));

function discovery() {
  return {
    openapi: '3.0.1',
    info: {
      title: 'The Other Backpack',
      version: '3.0',
      termsOfService: `${origin}/terms`,
      'x-imssf-privacyPolicyUrl': `${origin}/privacy`,
    },
    servers: [{url: apiBase}],
    paths: {},
    components: {
      securitySchemes: {
        OAuth2ACG: {
          type: 'oauth2',
          'x-imssf-registrationUrl': `${origin}/reg`,
          flows: {
            authorizationCode: {
              authorizationUrl: `${origin}/auth`,
              tokenUrl: `${origin}/token`,
              refreshUrl: `${origin}/token`,
              scopes: Object.fromEntries(SCOPES.map(scope => [scope, scope])),
            },
          },
        },
      },
    },
  };
}

function send(res, status, body, type = 'application/json') {
  res.writeHead(status, {'content-type': type});
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function imsx(status, description) {
  return {
    imsx_codeMajor: 'failure',
    imsx_severity: 'error',
    imsx_description: description,
    imsx_codeMinor: {imsx_codeMinorField: [
      {imsx_codeMinorFieldName: 'TargetEndSystem', imsx_codeMinorFieldValue: 'unauthorizedrequest'},
    ]},
  };
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
  if(control.denyConsent) {
    control.denyConsent = false;
    return provider.interactionFinished(req, res, {
      error: 'access_denied', error_description: 'The learner did not allow it',
    }, {mergeWithLastSubmission: false});
  }
  if(details.prompt.name === 'login') {
    return provider.interactionFinished(req, res, {login: {accountId: ACCOUNT}});
  }
  const grant = details.grantId ? await provider.Grant.find(details.grantId) :
    new provider.Grant({accountId: details.session.accountId, clientId: details.params.client_id});
  const missing = details.prompt.details;
  if(missing.missingOIDCScope) {
    grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  }
  for(const [resource, scopes] of Object.entries(missing.missingResourceScopes || {})) {
    grant.addResourceScope(resource, scopes.join(' '));
  }
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, {consent: {grantId}}, {mergeWithLastSubmission: true});
}

async function upsert(req, res) {
  const body = await readBody(req);
  const match = /^Bearer (.+)$/i.exec(req.headers.authorization || '');
  const token = match ? await provider.AccessToken.find(match[1]) : undefined;
  if(!token || token.isExpired) {
    return send(res, 401, imsx(401, 'The access token is missing, unknown or expired.'));
  }
  if(!token.scope || !token.scope.split(' ').includes(UPSERT)) {
    return send(res, 403, imsx(403, 'The access token does not allow storing credentials.'));
  }
  if(control.upsertStatus) {
    const status = control.upsertStatus;
    return send(res, status, imsx(status, `The backpack is refusing credentials today (${status}).`));
  }
  received.credentials.push({body, contentType: req.headers['content-type'], accountId: token.accountId});
  return send(res, 201, body, req.headers['content-type']);
}

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  const path = new URL(req.url, origin).pathname;
  try {
    if(req.method === 'GET' && path === '/ims/ob/v3p0/discovery') {
      return send(res, 200, discovery());
    }
    if(req.method === 'POST' && path === '/ims/ob/v3p0/credentials') {
      return await upsert(req, res);
    }
    if(req.method === 'GET' && path.startsWith('/interaction/')) {
      return await interaction(req, res);
    }
    if(req.method === 'GET' && path === '/received') {
      return send(res, 200, received);
    }
    if(req.method === 'POST' && path === '/control') {
      const {reset, ...settings} = JSON.parse(await readBody(req));
      Object.assign(control, settings);
      if(reset) {
        received.credentials = [];
        received.grants = [];
      }
      return send(res, 200, control);
    }
    if(path.startsWith('/.well-known/') && control.hideMetadata) {
      return send(res, 404, {error: 'not_found'});
    }
    if(req.method === 'POST' && path === '/token/revocation' && control.refuseRevocation) {
      return send(res, 503, {
        error: 'temporarily_unavailable', error_description: 'revocation is down for maintenance',
      });
    }
    if(req.method === 'POST' && path === '/reg' && control.refuseRegistration) {
      return send(res, 400, {
        error: 'invalid_client_metadata', error_description: 'registration is closed',
      });
    }
    return callback(req, res);
  } catch(error) {
    return send(res, 500, {error: 'server_error', error_description: String(error)});
  }
});
server.listen(port, '127.0.0.1');
