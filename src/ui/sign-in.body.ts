import { IsString, MaxLength, MinLength } from 'class-validator';

/** POST /ui/session: an API token, exchanged for a session cookie and never stored. */
export class SignInBody {
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  token: string;
}
