/**
 * The threat model of one cluster as data: elements inside trust boundaries,
 * data flows with the controls that protect them, and STRIDE threats whose
 * status comes from Rampart's own check results. Built by `buildThreatModel`
 * (pure), drawn by `render.ts`.
 */
import type { ObjectRef, SourceLocation } from '../model/types.js';

export type ElementKind =
  | 'actor'
  | 'control-plane'
  | 'node'
  | 'node-component'
  | 'namespace'
  | 'workload'
  | 'service-account'
  | 'entry-point'
  | 'secret'
  | 'registry';

export type BoundaryKind = 'cluster' | 'node' | 'namespace' | 'pod' | 'container';

export interface TrustBoundary {
  readonly id: string;
  readonly kind: BoundaryKind;
  readonly label: string;
  /** The boundary this one sits inside; undefined for the outermost. */
  readonly parent?: string;
}

export interface ThreatElement {
  readonly id: string;
  readonly kind: ElementKind;
  readonly label: string;
  /** The innermost trust boundary the element sits in; undefined for what is outside the cluster. */
  readonly boundary?: string;
  /** True when the element is not in the input (a control-plane component without bench data): the model assumes it. */
  readonly assumed: boolean;
  /** Where the element comes from, when it is an object of the input. */
  readonly object?: ObjectRef;
  readonly location?: SourceLocation;
  /** A few facts worth showing (exposure type, image, namespace's PSA level). */
  readonly notes?: readonly string[];
}

export type ControlName = 'authentication' | 'authorization' | 'admission' | 'tls' | 'encryption-at-rest' | 'network-policy' | 'image-integrity' | 'token-scope';
/** present: the evidence says the control is in place; absent: it says it is not; unknown: nothing in the input tells. */
export type ControlState = 'present' | 'partial' | 'absent' | 'unknown';

export interface FlowControl {
  readonly control: ControlName;
  readonly state: ControlState;
  /** What decided the state: bench control results, check results, labels. */
  readonly evidence: readonly string[];
  /** Check or bench IDs behind the state (`bench:1.2.1`, `ingress-without-tls`). */
  readonly checks: readonly string[];
}

export interface DataFlow {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly label: string;
  /** True for the steps of a workload's life (user → API server → etcd → controllers → scheduler → kubelet → runtime). */
  readonly lifecycle: boolean;
  readonly controls: readonly FlowControl[];
}

export type Stride = 'S' | 'T' | 'R' | 'I' | 'D' | 'E';
export const STRIDE_NAMES: Record<Stride, string> = {
  S: 'Spoofing',
  T: 'Tampering',
  R: 'Repudiation',
  I: 'Information disclosure',
  D: 'Denial of service',
  E: 'Elevation of privilege',
};

/**
 * mitigated: every mitigating check that judged the element passed; partly: a
 * supporting (defence-in-depth) check failed; open: a primary check failed;
 * unassessed: no check judged it (typically a control-plane component without
 * bench data).
 */
export type ThreatStatus = 'open' | 'partly' | 'mitigated' | 'unassessed';
export const THREAT_STATUSES: readonly ThreatStatus[] = ['open', 'partly', 'mitigated', 'unassessed'];

export interface ThreatEvidence {
  readonly checkId: string;
  readonly result: 'fail' | 'pass';
  /** Whether the check is a primary mitigation (its failure leaves the threat open) or a supporting one. */
  readonly role: 'primary' | 'supporting';
  /** The failing findings' messages and places (at most a few per check). */
  readonly findings: readonly { readonly message: string; readonly object: ObjectRef; readonly location: SourceLocation }[];
}

export interface Threat {
  /** `<template>@<element or flow id>`, stable across runs. */
  readonly id: string;
  readonly template: string;
  readonly title: string;
  readonly stride: Stride;
  readonly description: string;
  /** The element or flow the threat is against. */
  readonly target: string;
  readonly targetLabel: string;
  /** MITRE ATT&CK technique IDs (T1611). */
  readonly attack: readonly string[];
  /** Microsoft Threat Matrix for Kubernetes technique IDs (MS-TA9018). */
  readonly msMatrix: readonly string[];
  /** Rampart checks (and bench controls as `bench:ID`) that mitigate it. */
  readonly mitigations: readonly string[];
  readonly status: ThreatStatus;
  readonly evidence: readonly ThreatEvidence[];
  /** One sentence on why the status is what it is. */
  readonly reason: string;
}

export interface ThreatModel {
  readonly boundaries: readonly TrustBoundary[];
  readonly elements: readonly ThreatElement[];
  readonly flows: readonly DataFlow[];
  readonly threats: readonly Threat[];
  readonly summary: Record<ThreatStatus, number>;
  /** What the model had to assume, in words. */
  readonly assumptions: readonly string[];
}
