import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly sockets = new Gauge({ name: 'quorum_socket_connections', help: 'Open socket.io connections', registers: [this.registry] });

  readonly commandDuration = new Histogram({
    name: 'quorum_socket_command_duration_seconds',
    help: 'Socket command handling time, by command and outcome',
    labelNames: ['command', 'outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly workerReplacements = new Counter({
    name: 'quorum_mediasoup_worker_replacements_total',
    help: 'mediasoup workers that died and were replaced',
    registers: [this.registry],
  });

  readonly handshakeRefusals = new Counter({
    name: 'quorum_socket_handshake_refusals_total',
    help: 'Socket connections refused at the handshake, by code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'quorum_' });
  }

  /** A gauge whose value is read at scrape time (e.g. live mediasoup workers). */
  gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }
}
