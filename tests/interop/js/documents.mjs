// Shared by the interop scripts: an offline document loader and JSON in/out.
//
// The loader serves only Laurel's bundled contexts (app/credentials/standards/index.json),
// the documents a script is given (DID documents, status list credentials, each served at
// its `id`) and did:key documents computed from the key itself. Anything else is an error
// naming the URL: these scripts never touch the network.
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

const HERE = dirname(fileURLToPath(import.meta.url));
export const STANDARDS_DIR = join(HERE, '..', '..', '..', 'app', 'credentials', 'standards');
export const DID_CONTEXTS = [
  'https://www.w3.org/ns/did/v1',
  'https://w3id.org/security/multikey/v1'
];

function bundledDocuments() {
  const index = JSON.parse(readFileSync(join(STANDARDS_DIR, 'index.json'), 'utf8'));
  const documents = new Map();
  for(const entry of index.entries) {
    documents.set(entry.url, JSON.parse(readFileSync(join(STANDARDS_DIR, entry.path), 'utf8')));
  }
  return documents;
}

const BUNDLED = bundledDocuments();

// The DID document of an Ed25519 did:key (did:key:z6Mk…), with its one Multikey.
export async function didKeyDocument(did) {
  const fingerprint = did.slice('did:key:'.length);
  const key = await Ed25519Multikey.from({
    id: `${did}#${fingerprint}`,
    controller: did,
    publicKeyMultibase: fingerprint
  });
  const method = await key.export({publicKey: true, includeContext: false});
  return {
    '@context': DID_CONTEXTS,
    id: did,
    verificationMethod: [method],
    assertionMethod: [method.id],
    authentication: [method.id]
  };
}

// The verification method `url` (a DID URL with a fragment) inside a controller document.
function methodIn(document, url) {
  const fragment = url.slice(url.indexOf('#'));
  const method = (document.verificationMethod || []).find(
    candidate => candidate.id === url || candidate.id === fragment);
  if(!method) {
    throw new Error(`The document ${document.id} lists no verification method "${url}".`);
  }
  return {'@context': document['@context'], ...method, id: url};
}

// A jsonld.js / jsonld-signatures document loader over bundled contexts and `documents`
// (each served at its id); `contexts` ({url: context}) adds or replaces contexts, e.g. for
// test vectors or an older copy of a context that other verifiers still bundle.
export function offlineLoader(documents = [], contexts = {}) {
  const given = new Map(documents.map(document => [document.id, document]));
  const overrides = new Map(Object.entries(contexts));
  return async function documentLoader(url) {
    const [base] = url.split('#');
    let document = overrides.get(url) ?? given.get(base);
    // "static" lets jsonld.js keep a processed bundled context between calls, as
    // Laurel's pyld loader does; other documents are served as given, every time.
    const bundled = document === undefined && BUNDLED.has(url);
    if(bundled) {
      document = BUNDLED.get(url);
    }
    if(document === undefined && base.startsWith('did:key:')) {
      document = await didKeyDocument(base);
    }
    if(document === undefined) {
      throw new Error(`"${url}" is neither bundled nor given: offline loader refuses it.`);
    }
    if(url !== base && !bundled && !overrides.has(url)) {
      document = methodIn(document, url);
    }
    const tag = bundled ? {tag: 'static'} : {};
    return {contextUrl: null, documentUrl: url, document: structuredClone(document), ...tag};
  };
}

// A loader that reads the issuer's documents over HTTP from `server`, a static host standing
// in for `origin` (e.g. on loopback): did:web:<origin's host> is read from
// <server>/.well-known/did.json, any URL under `origin` from the same path on `server`, and
// everything else is left to offlineLoader (bundled contexts). Each URL fetched is pushed
// onto `fetched`, so a caller can tell what came from the host.
export function hostedLoader({origin, server}, fetched = [], contexts = {}) {
  const did = `did:web:${new URL(origin).host.replace(':', '%3A')}`;
  const offline = offlineLoader([], contexts);
  return async function documentLoader(url) {
    const [base] = url.split('#');
    let target = null;
    if(base === did) {
      target = `${server}/.well-known/did.json`;
    } else if(base.startsWith(`${origin}/`)) {
      target = server + base.slice(origin.length);
    }
    if(target === null) {
      return offline(url);
    }
    const response = await fetch(target);
    if(!response.ok) {
      throw new Error(`${target} answered HTTP ${response.status}.`);
    }
    const document = await response.json();
    fetched.push(target);
    return offlineLoader([document], contexts)(url);
  };
}

// The script's input: the JSON file named as the first argument, or stdin.
export function readInput() {
  const path = process.argv[2];
  return JSON.parse(readFileSync(path && path !== '-' ? path : 0, 'utf8'));
}

export function printJson(value) {
  process.stdout.write(JSON.stringify(value) + '\n');
}

// Every message in an error and the errors it wraps (jsonld-signatures nests them).
export function describeError(error) {
  if(!error) {
    return null;
  }
  const messages = [];
  const visit = (current, depth) => {
    if(!current || depth > 8) {
      return;
    }
    if(Array.isArray(current)) {
      current.forEach(item => visit(item, depth + 1));
      return;
    }
    if(current.message && !messages.includes(current.message)) {
      messages.push(current.message);
    }
    visit(current.errors, depth + 1);
    visit(current.cause, depth + 1);
    visit(current.details?.error, depth + 1);
  };
  visit(error, 0);
  return messages.join(' | ') || String(error);
}
