import type { RunForm, RunFormErrors } from '../../model/run-form';

/** What each built-in section of the run dialog receives: the whole form, a setter, the errors to show. */
export interface CoreSectionProps {
  hostId: string;
  form: RunForm;
  set: <K extends keyof RunForm>(key: K, value: RunForm[K]) => void;
  /** The field's message once the person tried to submit, else undefined. */
  error: (key: keyof RunFormErrors) => string | undefined;
}
