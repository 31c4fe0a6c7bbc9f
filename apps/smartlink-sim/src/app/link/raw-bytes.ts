import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

/**
 * A JSON string escape of a kept byte (U+DC80..U+DCFF, see `decodeUtf8KeepingInvalidBytes`) preceded by an even
 * number of backslashes, so a literal `\\udc80` written by a publisher is left alone.
 */
const ESCAPED_BYTE = /(?<!\\)((?:\\\\)*)\\udc([89a-f][0-9a-f])/gi;

/**
 * Turns a JSON text whose strings hold kept bytes back into the bytes a broker relaying them would send: each
 * `\udcXX` escape becomes the raw byte 0xXX, so the response is not valid UTF-8 exactly where the published body was
 * not. Everything else is encoded as UTF-8. Returns null when the text holds no such escape.
 */
export function jsonWithRawBytes(json: string): Buffer | null {
  // A cheap test first: nearly every response holds no such escape.
  if (!/\\udc[89a-f]/i.test(json)) return null;
  const matches = [...json.matchAll(ESCAPED_BYTE)];
  if (matches.length === 0) return null;
  const parts: Buffer[] = [];
  let last = 0;
  for (const match of matches) {
    parts.push(Buffer.from(json.slice(last, match.index) + (match[1] as string), 'utf8'));
    // U+DC80 + n keeps byte 0x80 + n, so the escape's last two hex digits are the byte.
    parts.push(Buffer.from([Number.parseInt(match[2] as string, 16)]));
    last = match.index + match[0].length;
  }
  parts.push(Buffer.from(json.slice(last), 'utf8'));
  return Buffer.concat(parts);
}

/**
 * Messages published from bytes (`rawBase64`) may hold bytes that are not UTF-8. They are queued as text with each
 * such byte kept as a lone surrogate, and this `onSend` hook writes them back as raw bytes into the response that
 * delivers them — the only way to put invalid UTF-8 on the wire through a JSON serializer.
 */
@Injectable()
export class RawBytesResponder implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onSend', async (_request, _reply, payload) =>
      typeof payload === 'string' ? (jsonWithRawBytes(payload) ?? payload) : payload,
    );
  }
}
