// HTTP handlers for /openapi/v2, /openapi/v3 and /openapi/v3/<group-version>: JSON documents built once, with ETags and content-addressed v3 URLs.
import { createHash } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { NotFoundError, StatusError } from '@keelson/api';
import { negotiateMediaType } from '../discovery';
import { swaggerDocument, v3Documents } from './documents';
import type { OpenAPIV3Root } from './types';

interface Served {
  body: string;
  /** Upper-case hex SHA-512 of the body, as Kubernetes hashes its v3 documents. */
  hash: string;
}

function serve(doc: unknown): Served {
  const body = JSON.stringify(doc);
  return { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() };
}

interface Documents {
  v2: Served;
  root: Served;
  byGroupVersion: Map<string, Served>;
}

let built: Documents | undefined;

/** The documents never change while the process runs: built on first request and kept. */
function documents(): Documents {
  if (!built) {
    const byGroupVersion = new Map<string, Served>();
    const root: OpenAPIV3Root = { paths: {} };
    for (const [key, doc] of v3Documents()) {
      const s = serve(doc);
      byGroupVersion.set(key, s);
      root.paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${s.hash}` };
    }
    built = { v2: serve(swaggerDocument()), root: serve(root), byGroupVersion };
  }
  return built;
}

/** Only JSON is served (no protobuf): anything else is 406, as Kubernetes answers an unsupported Accept. */
function acceptsJson(req: Request, res: Response): boolean {
  if (negotiateMediaType(req.headers.accept ?? '', ['application/json'], () => false)) return true;
  const err = new StatusError(406, 'NotAcceptable', 'only the following media types are accepted: application/json');
  res.status(406).json(err.toStatus());
  return false;
}

function send(req: Request, res: Response, doc: Served, cacheControl: string): void {
  const etag = `"${doc.hash}"`;
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', cacheControl);
  res.setHeader('Vary', 'Accept');
  if (req.headers['if-none-match'] === etag) {
    res.status(304).end();
    return;
  }
  res.status(200).type('application/json').send(doc.body);
}

/** The OpenAPI routes, to mount on the app before the resource handlers. */
export function openapiRouter(): Router {
  const router = Router();
  router.get('/openapi/v2', (req, res) => {
    if (acceptsJson(req, res)) send(req, res, documents().v2, 'no-cache, private');
  });
  router.get('/openapi/v3', (req, res) => {
    if (acceptsJson(req, res)) send(req, res, documents().root, 'no-cache, private');
  });
  router.get(/^\/openapi\/v3\/(.+)$/, (req, res) => {
    const key = (req.params as Record<string, string | undefined>)['0'] ?? '';
    const doc = documents().byGroupVersion.get(key.replace(/\/$/, ''));
    if (!doc) {
      const err = new NotFoundError({}, 'the server could not find the requested resource');
      res.status(404).json(err.toStatus());
      return;
    }
    if (!acceptsJson(req, res)) return;
    const hash = req.query['hash'];
    if (typeof hash === 'string' && hash !== '') {
      if (hash !== doc.hash) {
        // A stale link: send the client to the document as it is now.
        res.redirect(301, `/openapi/v3/${key}?hash=${doc.hash}`);
        return;
      }
      send(req, res, doc, 'public, immutable, max-age=31536000');
      return;
    }
    send(req, res, doc, 'no-cache, private');
  });
  return router;
}
