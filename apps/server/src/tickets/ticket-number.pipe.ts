import { Injectable, type PipeTransform } from '@nestjs/common';
import { InvalidError } from '@app/core';

/** `{number}` path parameter → positive integer, or a 400 naming it. */
@Injectable()
export class TicketNumberPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    if (!/^\d{1,9}$/.test(value) || Number(value) < 1) {
      throw new InvalidError('the ticket number must be a positive integer, e.g. /api/v1/tickets/42', [
        { field: 'number', message: 'must be a positive integer' },
      ]);
    }
    return Number(value);
  }
}
