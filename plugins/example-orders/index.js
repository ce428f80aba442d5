// @ts-check
'use strict';
/**
 * Example Context Desk MCP plugin: `lookup_order` looks an order up in the team's own order
 * system and puts it beside the customer's tickets, so an agent answers "where is my order?"
 * in one call. Load it with PLUGINS=./plugins/example-orders (see docs/plugins.md).
 *
 * The "order system" here is a fixed table standing in for a real API call (fetch your own
 * service in `findOrder`). Everything else is what a real plugin looks like: zod schemas from
 * the z the server hands over, a scope, annotations, and domain access through ctx.services.
 *
 * @typedef {import('../../libs/mcp/src/plugins/plugin-api').McpPluginModule} McpPluginModule
 */

const ORDERS = {
  'ORD-1001': { status: 'shipped', carrier: 'DHL', eta: '2026-12-03', customerEmail: 'ada@example.test' },
  'ORD-1002': { status: 'processing', carrier: null, eta: null, customerEmail: 'grace@example.test' },
};

/** @param {string} orderId */
async function findOrder(orderId) {
  const order = ORDERS[/** @type {keyof typeof ORDERS} */ (orderId)];
  return order ? { orderId, ...order } : null;
}

/** @type {McpPluginModule} */
module.exports = ({ z, errors }) => {
  const orderId = z
    .string()
    .regex(/^ORD-\d{1,10}$/, 'an order id such as ORD-1001')
    .describe('order id, e.g. "ORD-1001"');
  const order = z.object({
    orderId: z.string(),
    status: z.enum(['processing', 'shipped', 'delivered', 'cancelled']),
    carrier: z.string().nullable().describe('carrier name once shipped'),
    eta: z.string().nullable().describe('expected delivery date (YYYY-MM-DD)'),
    customerEmail: z.string(),
  });
  return {
    name: 'example-orders',
    tools: [
      {
        name: 'lookup_order',
        title: 'Look up an order',
        description: "An order's status from the order system, with the customer's open tickets.",
        scope: 'tickets:read',
        input: z.object({ orderId }),
        output: z.object({
          order,
          openTickets: z
            .array(z.object({ number: z.number(), title: z.string(), status: z.string() }))
            .describe("the customer's tickets that are still open or pending"),
        }),
        annotations: {
          readOnlyHint: true,
          destructiveHint: false,
          idempotentHint: true,
          openWorldHint: true,
        },
        async run({ orderId }, ctx) {
          const found = await findOrder(orderId);
          if (!found) throw errors.notFound('order', orderId);
          const tickets = await ctx.services.tickets.search({
            requesterEmail: found.customerEmail,
            limit: 20,
          });
          return {
            order: found,
            openTickets: tickets
              .filter((t) => t.status === 'open' || t.status === 'pending')
              .map((t) => ({ number: t.number, title: t.title, status: t.status })),
          };
        },
        render: ({ order, openTickets }) =>
          `Order ${order.orderId}: ${order.status}${order.carrier ? ` with ${order.carrier}` : ''}` +
          `${order.eta ? `, expected ${order.eta}` : ''}. Open tickets: ` +
          (openTickets.length ? openTickets.map((t) => `#${t.number} ${t.title}`).join('; ') : 'none'),
      },
    ],
    prompts: [
      {
        name: 'order_followup',
        title: 'Follow up on an order',
        description: 'Draft a reply to a customer asking about an order.',
        scopes: ['tickets:read'],
        args: z.object({ orderId: z.string().describe('order id, e.g. "ORD-1001"') }),
        async build({ orderId }) {
          const found = await findOrder(orderId);
          const facts = found ? JSON.stringify(found) : `no order ${orderId} exists`;
          return {
            messages: [
              {
                role: 'user',
                content: {
                  type: 'text',
                  text: `Write a short, friendly status update for order ${orderId}. Facts: ${facts}`,
                },
              },
            ],
          };
        },
      },
    ],
    resources: [
      {
        name: 'order',
        title: 'Order',
        description: 'An order from the order system, as JSON.',
        uriTemplate: 'orders://{orderId}',
        mimeType: 'application/json',
        scope: 'tickets:read',
        async read(value) {
          const found = await findOrder(value);
          if (!found) throw errors.notFound('order', value);
          return { text: JSON.stringify(found) };
        },
      },
    ],
  };
};
