// What a confirmation asks: its title, the consequence in plain words, the confirm button's words, and the action.
export interface Confirmation {
  readonly title: string;
  readonly message: string;
  readonly confirmLabel: string;
  readonly act: () => Promise<void>;
}
