import { XMLParser } from 'fast-xml-parser';
import { isObject } from '../../normalise/types.js';
import { fromEventObject, type WinRecord } from './record.js';

// Attributes are grouped under #attributes so they never collide with child elements (the shape
// evtx_dump and python-evtx use), values stay strings (normalisers type them), Data is always a list.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  attributesGroupName: '#attributes',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: true,
  isArray: (name) => name === 'Data',
});

/** One rendered <Event> element (wevtutil qe /f:xml, Get-WinEvent ToXml(), Event Viewer "Save as XML"). */
export function parseEventXml(xml: string): WinRecord | { error: string } {
  let doc: unknown;
  try {
    doc = parser.parse(xml, true);
  } catch (e) {
    return { error: `invalid XML: ${firstLine((e as Error).message)}` };
  }
  const event = isObject(doc) ? doc.Event : undefined;
  if (!isObject(event) || !isObject(event.System)) return { error: 'XML without <Event><System>' };
  return fromEventObject(event, 'windows-xml');
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
