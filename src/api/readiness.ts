// Readiness of the server for traffic: ready once the indexes are open and the vision pool has
// warmed up; not ready again while it drains for a shutdown. Liveness is /health, this is /ready.

/** The checks behind readiness. */
export interface ReadinessState {
  status: 'starting' | 'ready' | 'stopping';
  checks: { indexes: boolean; vision: boolean };
}

export class Readiness {
  private indexes: boolean;
  private vision: boolean;
  private stopping = false;

  /** Everything starts as given (a server built without warm-up is ready at once). */
  constructor(initial: { indexes?: boolean; vision?: boolean } = {}) {
    this.indexes = initial.indexes ?? true;
    this.vision = initial.vision ?? true;
  }

  markIndexesOpen(): void {
    this.indexes = true;
  }

  markVisionWarm(): void {
    this.vision = true;
  }

  /** From now on the server answers /ready with 503, so balancers stop sending it work. */
  markStopping(): void {
    this.stopping = true;
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  get state(): ReadinessState {
    const checks = { indexes: this.indexes, vision: this.vision };
    const status = this.stopping ? 'stopping' : this.indexes && this.vision ? 'ready' : 'starting';
    return { status, checks };
  }
}
