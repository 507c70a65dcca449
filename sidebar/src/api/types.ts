/**
 * The API's types, taken from the server's TypeBox schemas in shared/ (type-only imports: nothing of TypeBox
 * reaches the bundle). Only what shared/ does not describe yet is declared here.
 */
export type { ErrorBody } from '@shared/schemas/common';
export type { Me, Signatures, JsapiSignature } from '@shared/schemas/auth';
export type {
  CustomerCard,
  CardTagGroup,
  CustomerList,
  CustomerListItem,
  CustomerPatchBody,
  Follower,
  NoteBody,
  NotePatchBody,
  Stage,
  TagChangeBody,
  TimelineFilter,
  TimelineItem,
  TimelinePage,
} from '@shared/schemas/customers';
export type {
  ChatMessage,
  Script,
  ScriptGroup,
  ScriptKind,
  ScriptList,
  ScriptSendResult,
} from '@shared/schemas/scripts';

export type { TagLibrary } from '@shared/schemas/tags';
export type {
  ConsentState,
  Message,
  MessageDirection,
  MessageMedia,
  MessagePage,
  SentMessage,
} from '@shared/schemas/messages';
export type {
  SuggestedScript,
  Suggestion,
  SuggestionFeedbackResult,
  SuggestionList,
  SuggestionOutcome,
} from '@shared/schemas/suggestions';
export type { Task, TaskList } from '@shared/schemas/automations';

/** A group of the corp tag library as the tag editor shows it (`GET /api/tags`, tags ordered as the server sends). */
export interface TagLibraryGroup {
  groupId: string;
  name: string;
  tags: { tagId: string; name: string }[];
}

/** A member of the demo corp, from the emulator's `/emulator/_state` (demo and tests only). */
export interface DemoRep {
  userId: string;
  name: string;
  position: string;
  avatar: string;
}
