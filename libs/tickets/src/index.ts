export * from './dashboard-stats.service';
export * from './ticket-events';
export * from './ticket-search';
export * from './ticket-sla';
export * from './ticket-workflow';
export * from './ticket.dto';
export * from './tickets.module';
export * from './tickets.service';
