// Background tasks of an instance: metadata exports and batch imports (the cloud's DumpMeta and
// IncreaseInstance), recorded durably with their status.

import type { ErrorCode } from './errors.js';

export const TASK_KINDS = ['export', 'increment'] as const;
/** `export` writes an instance's metadata to a file; `increment` applies an `increment.meta` batch. */
export type TaskKind = (typeof TASK_KINDS)[number];

/** The cloud's status words (aliyun-imagesearch-api.md §3.11, §3.13). */
export type TaskStatus = 'PROCESSING' | 'SUCCESS' | 'FAIL';

/** Where an increment task reads its batch: a configured bucket and a folder inside it. */
export interface IncrementSource {
  bucketName: string;
  /** Absolute folder path inside the bucket, starting with `/`, not ending with `/`. */
  path: string;
  callbackAddress?: string;
}

export interface TaskCounts {
  /** Non-empty lines read (increment) or records written (export). */
  items: number;
  added: number;
  deleted: number;
  failed: number;
}

export interface Task {
  id: number;
  instance: string;
  kind: TaskKind;
  status: TaskStatus;
  /** Human summary of the outcome ("success", counts, or why it failed). */
  message: string;
  /** Why the task failed, when it did. */
  error?: { code: ErrorCode; aliyun: string };
  source?: IncrementSource;
  /** Files the task wrote, by role, as names inside the task's own directory. */
  files: { output?: string; errors?: string };
  counts: TaskCounts;
  createdAt: number;
  updatedAt: number;
}

/** What may change on a task after it was created. */
export type TaskPatch = Partial<Pick<Task, 'status' | 'message' | 'error' | 'files' | 'counts'>>;

/** A page of tasks with the total number matching. */
export interface TaskPage {
  total: number;
  tasks: Task[];
}

/** Which tasks a listing returns. */
export interface TaskQuery {
  id?: number;
  bucketName?: string;
  path?: string;
  offset: number;
  limit: number;
}
