import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  HttpStatus,
  Post,
  Req,
  Res,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiThrottlerGuard } from '../api/auth/api-throttler.guard';
import { ApiTokens } from '../api/auth/api-tokens';
import { CSRF_HEADER, refuseWithoutCsrfToken } from '../api/auth/csrf';
import { SESSION_TTL_MS, sessionCookie } from '../api/auth/session-seal';
import { SignInBody } from './sign-in.body';
import { uiSessionDto, UiSessionDto } from './ui-session.dto';

type Request = IncomingMessage & { secure?: boolean };

/** Secure cookies need https: directly, or at a proxy that says so. */
const overHttps = (request: Request): boolean =>
  request.secure === true || request.headers['x-forwarded-proto'] === 'https';

/**
 * The console's sign-in: an API token in, a session cookie out. Rate-limited like the API, so
 * guessing tokens here is no faster than against /api/v1.
 */
@Controller('ui/session')
@UseGuards(ApiThrottlerGuard)
export class UiSessionController {
  constructor(private readonly tokens: ApiTokens) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  signIn(
    @Body() { token }: SignInBody,
    @Req() request: Request,
    @Res({ passthrough: true }) response: ServerResponse,
  ): UiSessionDto {
    const opened = this.tokens.openSession(token);
    if (!opened) throw new UnauthorizedException('The token is not valid.');
    response.setHeader(
      'Set-Cookie',
      sessionCookie(opened.cookie, SESSION_TTL_MS, overHttps(request)),
    );
    const { principal, session } = opened;
    return uiSessionDto(principal, session, this.tokens.csrfToken(session));
  }

  @Get()
  @Header('Cache-Control', 'no-store')
  whoAmI(@Req() request: Request): UiSessionDto {
    const signedIn = this.tokens.sessionOf(request.headers.cookie);
    if (!signedIn) throw new UnauthorizedException('Not signed in.');
    const { principal, session } = signedIn;
    return uiSessionDto(principal, session, this.tokens.csrfToken(session));
  }

  /** Clears the cookie. Sessions are stateless: a copy of the cookie stays valid until it expires. */
  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  @Header('Cache-Control', 'no-store')
  signOut(@Req() request: Request, @Res({ passthrough: true }) response: ServerResponse): void {
    const signedIn = this.tokens.sessionOf(request.headers.cookie);
    if (signedIn && !this.tokens.csrfMatches(signedIn.session, request.headers[CSRF_HEADER])) {
      refuseWithoutCsrfToken(request, response);
    }
    response.setHeader('Set-Cookie', sessionCookie('', 0, overHttps(request)));
  }
}
