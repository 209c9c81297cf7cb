import { Injectable, Logger } from '@nestjs/common';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';

export interface UiFile {
  body: Buffer;
  type: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * Where scripts/build-ui.mjs writes the console (dist/ui), seen from the built service
 * (dist/src/ui) and from the sources (src/ui, when run by ts-node or a spec).
 */
const BUILD_DIRS = [join(__dirname, '..', '..', 'ui'), join(__dirname, '..', '..', 'dist', 'ui')];

/**
 * The built console, read once at start: a few small files, served from memory. Only files the
 * build wrote can be served, by name, so no request path ever reaches the file system.
 */
@Injectable()
export class UiAssets {
  private readonly logger = new Logger(UiAssets.name);
  /** index.html; null when the console was not built. */
  readonly page: Buffer | null = null;
  private readonly assets = new Map<string, UiFile>();

  constructor() {
    const dir = BUILD_DIRS.find((d) => existsSync(join(d, 'index.html')));
    if (!dir) {
      this.logger.warn({ msg: 'triage console not built; /ui answers 404', fix: 'npm run build' });
      return;
    }
    this.page = readFileSync(join(dir, 'index.html'));
    const assetDir = join(dir, 'assets');
    for (const name of existsSync(assetDir) ? readdirSync(assetDir) : []) {
      const type = CONTENT_TYPES[extname(name)];
      if (type) this.assets.set(name, { body: readFileSync(join(assetDir, name)), type });
    }
  }

  asset(name: string): UiFile | undefined {
    return this.assets.get(name);
  }
}
