import * as fs from 'node:fs';
import * as path from 'node:path';
import { Controller, Get, NotFoundException, Redirect, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@app/auth';

/** Where `npm run build:admin` puts the web admin (apps/admin/dist), from sources or from dist/. */
export function adminDistDir(): string | null {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'apps', 'admin', 'dist');
    if (fs.existsSync(path.join(candidate, 'index.html'))) return candidate;
    dir = path.dirname(dir);
  }
  return null;
}

/**
 * Serves the single-page admin: static files are mounted in bootstrap.ts; every other path
 * under /admin/ falls back to index.html so client-side routes survive a reload.
 */
@ApiExcludeController()
@Public()
@Controller()
export class AdminUiController {
  private readonly dir = adminDistDir();

  @Get()
  @Redirect('/admin/', 302)
  root(): void {}

  @Get('admin/*path')
  spa(@Res() res: Response): void {
    if (!this.dir) throw new NotFoundException('the web admin is not built; run npm run build');
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(this.dir, 'index.html'));
  }
}
