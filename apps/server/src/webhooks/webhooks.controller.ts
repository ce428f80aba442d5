import { Body, Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '@app/auth';
import type { Page, Principal } from '@app/core';
import { WebhooksService, type WebhookDeliveryDto, type WebhookDto } from '@app/webhooks';
import { IfMatch, withIfMatch } from '../http/if-match.decorator';
import { ApiProblems } from '../http/problem.schema';
import { CreateRoute, DeleteRoute, GetRoute, ListRoute, PatchRoute } from '../http/routes';
import {
  CreateWebhookDto,
  DeliveriesQuery,
  DeliveryPage,
  UpdateWebhookDto,
  WebhookList,
  WebhookResponse,
} from './webhooks.dto';

@ApiTags('webhooks')
@ApiBearerAuth()
@ApiProblems()
@RequireScopes('admin')
@Controller('api/v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @ListRoute('Registered webhooks', WebhookList)
  async list(): Promise<{ items: WebhookDto[] }> {
    return { items: await this.webhooks.list() };
  }

  @CreateRoute('Register a webhook: matching events are POSTed, signed with the secret', WebhookResponse)
  create(@Body() body: CreateWebhookDto, @CurrentPrincipal() actor: Principal): Promise<WebhookDto> {
    return this.webhooks.create(body, actor);
  }

  @GetRoute('One webhook', WebhookResponse)
  get(@Param('id') id: string): Promise<WebhookDto> {
    return this.webhooks.get(id);
  }

  @PatchRoute('Change a webhook (optionally only at the version you read: If-Match)', WebhookResponse)
  update(
    @Param('id') id: string,
    @Body() body: UpdateWebhookDto,
    @IfMatch() ifMatch: number | undefined,
    @CurrentPrincipal() actor: Principal,
  ): Promise<WebhookDto> {
    return this.webhooks.update(id, withIfMatch(body, ifMatch), actor);
  }

  @DeleteRoute('Remove a webhook (optionally only at the version you read: If-Match)')
  async remove(
    @Param('id') id: string,
    @IfMatch() ifMatch: number | undefined,
    @CurrentPrincipal() actor: Principal,
  ): Promise<void> {
    await this.webhooks.delete(id, ifMatch, actor);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Deliveries of this webhook, newest first, with every attempt' })
  @ApiOkResponse({ type: DeliveryPage })
  deliveries(@Param('id') id: string, @Query() q: DeliveriesQuery): Promise<Page<WebhookDeliveryDto>> {
    return this.webhooks.deliveries(id, q.limit, q.cursor);
  }
}
