import { Controller, Get, NotFoundException, Param, Res, StreamableFile } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { UiAssets } from './ui-assets';

/**
 * The console's page and its assets. Every console URL (the list with its filters, an alert)
 * answers the same page, which routes in the browser, so links can be shared and reloaded.
 */
@Controller('ui')
export class UiPagesController {
  constructor(private readonly files: UiAssets) {}

  @Get()
  list(@Res({ passthrough: true }) response: ServerResponse): StreamableFile {
    return this.page(response);
  }

  @Get('alerts/:id')
  alert(@Res({ passthrough: true }) response: ServerResponse): StreamableFile {
    return this.page(response);
  }

  /** Names carry a content hash, so a file never changes under its name: cached for a year. */
  @Get('assets/:name')
  asset(
    @Param('name') name: string,
    @Res({ passthrough: true }) response: ServerResponse,
  ): StreamableFile {
    const file = this.files.asset(name);
    if (!file) throw new NotFoundException(`No console asset ${name}.`);
    response.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    return new StreamableFile(file.body, { type: file.type, length: file.body.length });
  }

  /** Revalidated on every load, so a new build's asset names are picked up at once. */
  private page(response: ServerResponse): StreamableFile {
    const page = this.files.page;
    if (!page) throw new NotFoundException('The console is not built: run npm run build.');
    response.setHeader('Cache-Control', 'no-cache');
    return new StreamableFile(page, { type: 'text/html; charset=utf-8', length: page.length });
  }
}
