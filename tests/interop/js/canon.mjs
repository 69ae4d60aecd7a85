// jsonld.js canonicalizes documents (RDFC-1.0, safe mode), offline, with the bundled contexts.
//
// Input (file argument or stdin): {"documents": [...], "contexts": {url: context}?}; the
// extra contexts serve test vectors that use one Laurel does not bundle.
// Prints a JSON array, one item per document: {"nquads": "…"} or {"error": "message"}.
// Safe mode makes jsonld.js refuse what it would otherwise drop (undefined terms,
// relative IRIs), like jsonld.js-based verifiers do.
import jsonld from 'jsonld';
import {describeError, offlineLoader, printJson, readInput} from './documents.mjs';

const {documents, contexts = {}} = readInput();
const documentLoader = offlineLoader([], contexts);
const results = [];
for(const document of documents) {
  try {
    const nquads = await jsonld.canonize(document, {
      algorithm: 'RDFC-1.0',
      format: 'application/n-quads',
      safe: true,
      base: null,
      documentLoader
    });
    results.push({nquads});
  } catch(error) {
    results.push({error: describeError(error)});
  }
}
printJson(results);
