import { z } from 'zod';
import { InvalidInput } from '@chuk/models';
import {
  FaultConfidenceThreshold,
  FaultConfidenceThresholdSchema,
  type Actor,
  type FaultReason,
  type MutationType,
  type StorageTier,
} from '../enums.js';

export const DEFAULT_MAX_FAULTS_PER_TURN = 3;
export const DEFAULT_MAX_FAULT_TOKENS_PER_TURN = 8192;

export const FaultPolicyConfigSchema = z
  .object({
    maxFaultsPerTurn: z.number().int().nonnegative().default(DEFAULT_MAX_FAULTS_PER_TURN).describe('Faults allowed per turn'),
    maxFaultTokensPerTurn: z
      .number()
      .int()
      .nonnegative()
      .default(DEFAULT_MAX_FAULT_TOKENS_PER_TURN)
      .describe('Tokens that faults may load per turn'),
    faultConfidenceThreshold: FaultConfidenceThresholdSchema.default(FaultConfidenceThreshold.Referenced).describe(
      'explicit: only faults of a requested page id; referenced: no speculative faults; speculative: all',
    ),
    tokensUsedThisTurn: z.number().int().nonnegative().default(0).describe('Fault tokens used in the current turn'),
    faultsThisTurn: z.number().int().nonnegative().default(0).describe('Faults made in the current turn'),
  })
  .strict();
export type FaultPolicyConfig = z.input<typeof FaultPolicyConfigSchema>;

/** Mutable per-turn fault guard (count and token limits). */
export class FaultPolicy {
  maxFaultsPerTurn: number;
  maxFaultTokensPerTurn: number;
  faultConfidenceThreshold: FaultConfidenceThreshold;
  tokensUsedThisTurn: number;
  faultsThisTurn: number;

  constructor(config: FaultPolicyConfig = {}) {
    const parsed = FaultPolicyConfigSchema.safeParse(config);
    if (!parsed.success) throw new InvalidInput({ field: 'faultPolicy', reason: parsed.error.message, issues: parsed.error.issues });
    this.maxFaultsPerTurn = parsed.data.maxFaultsPerTurn;
    this.maxFaultTokensPerTurn = parsed.data.maxFaultTokensPerTurn;
    this.faultConfidenceThreshold = parsed.data.faultConfidenceThreshold;
    this.tokensUsedThisTurn = parsed.data.tokensUsedThisTurn;
    this.faultsThisTurn = parsed.data.faultsThisTurn;
  }

  canFault(estimatedTokens: number): boolean {
    if (this.faultsThisTurn >= this.maxFaultsPerTurn) return false;
    return this.tokensUsedThisTurn + estimatedTokens <= this.maxFaultTokensPerTurn;
  }
  recordFault(tokens: number): void {
    this.faultsThisTurn += 1;
    this.tokensUsedThisTurn += tokens;
  }
  newTurn(): void {
    this.faultsThisTurn = 0;
    this.tokensUsedThisTurn = 0;
  }
  toJSON(): Required<FaultPolicyConfig> {
    return {
      maxFaultsPerTurn: this.maxFaultsPerTurn,
      maxFaultTokensPerTurn: this.maxFaultTokensPerTurn,
      faultConfidenceThreshold: this.faultConfidenceThreshold,
      tokensUsedThisTurn: this.tokensUsedThisTurn,
      faultsThisTurn: this.faultsThisTurn,
    };
  }
  static fromJSON(raw: unknown): FaultPolicy {
    return new FaultPolicy(raw as FaultPolicyConfig);
  }
}

export interface FaultRecord {
  pageId: string;
  reason: FaultReason;
  turn: number;
  tokensLoaded: number;
  latencyMs: number;
  timestamp: Date;
}

export interface PageMutation {
  mutationId: string;
  pageId: string;
  timestamp: Date;
  turn: number;
  mutationType: MutationType;
  tierBefore: StorageTier | null;
  tierAfter: StorageTier;
  actor: Actor;
  cause: string | null;
}
