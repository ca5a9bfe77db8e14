import type { Resource } from '@medplum/fhirtypes';

/**
 * The CDS Hooks 2.0 response (https://cds-hooks.hl7.org/2.0/#cds-service-response). Optional fields are
 * left out rather than sent empty (spec: JSON elements must not be null or empty).
 */

export interface CdsCoding {
  code: string;
  system: string;
  display?: string;
}

export interface CdsAction {
  type: 'create' | 'update' | 'delete';
  description: string;
  resource?: Resource;
  resourceId?: string;
}

export interface CdsSuggestion {
  label: string;
  uuid?: string;
  isRecommended?: boolean;
  actions?: CdsAction[];
}

export interface CdsLink {
  label: string;
  url: string;
  type: 'absolute' | 'smart';
  appContext?: string;
  autolaunchable?: boolean;
}

export interface CdsCard {
  uuid?: string;
  summary: string;
  detail?: string;
  indicator: 'info' | 'warning' | 'critical';
  source: { label: string; url?: string; icon?: string; topic?: CdsCoding };
  suggestions?: CdsSuggestion[];
  selectionBehavior?: 'at-most-one' | 'any';
  overrideReasons?: CdsCoding[];
  links?: CdsLink[];
  extension?: Record<string, unknown>;
}

export interface CdsResponse {
  cards: CdsCard[];
  systemActions?: CdsAction[];
}
