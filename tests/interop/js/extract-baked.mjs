// Reads the credential baked into a PNG or SVG, written from the OB 3.0 spec ("Baked Badge"),
// independently of Laurel's reader.
//
// Input (file argument or stdin): {"png": "<base64>"} or {"svg": "<text>"}.
// PNG: every chunk's CRC is checked; the credential is the text of the iTXt chunk with
// keyword "openbadgecredential". SVG: the <prefix:credential> element whose prefix is bound
// to https://purl.imsglobal.org/ob/v3p0, JSON in its CDATA or a JWT in its `verify` attribute.
// Prints {"credentials": ["…", …]} (every one found, so a test can require exactly one).
import {inflateSync} from 'node:zlib';
import {printJson, readInput} from './documents.mjs';

const PNG_SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
const OB3_NAMESPACE = 'https://purl.imsglobal.org/ob/v3p0';

const CRC_TABLE = Array.from({length: 256}, (_, n) => {
  let c = n;
  for(let k = 0; k < 8; k++) {
    c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for(const byte of bytes) {
    c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

function fromPng(png) {
  if(!png.subarray(0, 8).equals(PNG_SIGNATURE)) {
    throw new Error('not a PNG');
  }
  const found = [];
  for(let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const typeAndData = png.subarray(at + 4, at + 8 + length);
    if(crc32(typeAndData) !== png.readUInt32BE(at + 8 + length)) {
      throw new Error(`bad CRC in chunk at byte ${at}`);
    }
    const type = typeAndData.subarray(0, 4).toString('latin1');
    const data = typeAndData.subarray(4);
    at += 12 + length;
    if(type !== 'iTXt') {
      continue;
    }
    const keywordEnd = data.indexOf(0);
    if(data.subarray(0, keywordEnd).toString('latin1') !== 'openbadgecredential') {
      continue;
    }
    const compressed = data[keywordEnd + 1] === 1;
    const languageEnd = data.indexOf(0, keywordEnd + 3);
    const translatedEnd = data.indexOf(0, languageEnd + 1);
    const text = data.subarray(translatedEnd + 1);
    found.push((compressed ? inflateSync(text) : text).toString('utf8'));
  }
  return found;
}

function fromSvg(svg) {
  const prefixes = [...svg.matchAll(/xmlns:([A-Za-z_][\w.-]*)\s*=\s*["']([^"']*)["']/g)]
    .filter(([, , namespace]) => namespace === OB3_NAMESPACE)
    .map(([, prefix]) => prefix);
  const found = [];
  for(const prefix of new Set(prefixes)) {
    const element = new RegExp(
      `<${prefix}:credential\\b([^>]*?)(?:/>|>([\\s\\S]*?)</${prefix}:credential>)`, 'g');
    for(const [, attributes, content = ''] of svg.matchAll(element)) {
      const verify = /\bverify\s*=\s*["']([^"']*)["']/.exec(attributes);
      const cdata = /^\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*$/.exec(content);
      found.push(verify ? verify[1] : cdata ? cdata[1] : content.trim());
    }
  }
  return found;
}

const input = readInput();
const credentials = input.png ? fromPng(Buffer.from(input.png, 'base64')) : fromSvg(input.svg);
printJson({credentials});
