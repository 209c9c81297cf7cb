import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class AlertIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id: string;
}
