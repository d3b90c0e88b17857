/**
 * One webhook POST over node:http/node:https, connected to an address checked beforehand and to
 * nothing else. Node's fetch is not used: its connection pool resolves names itself, so the address
 * checked and the address connected to could differ (DNS rebinding).
 *
 * @module
 */
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';

/** A `lookup` that answers every query with the one address already checked. */
function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

/**
 * POSTs `body` to `url`, connecting to `address` whatever the URL's host resolves to now (the Host
 * header and the TLS server name and certificate check stay those of the URL's host). Redirects are
 * not followed: Node's http client never does, and the caller counts any non-2xx as a failure.
 * Resolves to the response status once the headers arrive (the body is not read); rejects on a
 * connection, TLS or protocol error, or when `signal` aborts.
 */
export function postTo(
  url: URL,
  target: { address: string; family: 4 | 6 },
  headers: OutgoingHttpHeaders,
  body: string,
  signal: AbortSignal,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      lookup: pinnedLookup(target.address, target.family),
      // A connection of its own: a shared pool keys sockets by host name and could hand over one that
      // was connected through another lookup.
      agent: false,
      signal,
    });
    request.once('response', (response) => {
      resolve(response.statusCode ?? 0);
      response.destroy();
    });
    request.once('error', reject);
    request.end(body);
  });
}

/** Rejects when `signal` aborts (with its reason); never resolves. */
export function whenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
