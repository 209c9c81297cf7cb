import { IsOptional, IsString, MaxLength } from 'class-validator';
import { HttpValidationPipe } from './http-validation.pipe';
import { RequestValidationException } from './request-validation.exception';

class NoteBody {
  @IsOptional() @IsString() @MaxLength(5) note?: string;
}

describe(HttpValidationPipe.name, () => {
  const sut = new HttpValidationPipe();

  it('refuses invalid and unknown fields, naming each', async () => {
    const error = await sut
      .transform({ note: 'far too long', extra: 1 }, { type: 'body', metatype: NoteBody })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RequestValidationException);
    const fields = (error as RequestValidationException).errors.map((e) => e.field);
    expect(fields.sort()).toEqual(['extra', 'note']);
  });

  it('returns an instance of the DTO for a valid body, and for none', async () => {
    await expect(
      sut.transform({ note: 'ok' }, { type: 'body', metatype: NoteBody }),
    ).resolves.toBeInstanceOf(NoteBody);
    await expect(
      sut.transform(undefined, { type: 'body', metatype: NoteBody }),
    ).resolves.toBeInstanceOf(NoteBody);
  });

  it('passes a Kafka payload through untouched (RPC parameters carry numeric types)', async () => {
    const payload = Buffer.from('{"not":"a NoteBody"}');
    const rpcPayload = { type: 3, metatype: NoteBody } as unknown as Parameters<
      typeof sut.transform
    >[1];
    await expect(sut.transform(payload, rpcPayload)).resolves.toBe(payload);
  });
});
