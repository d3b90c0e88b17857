/**
 * What no field of a form could show (from `useFieldErrors().formError`), above the form and
 * announced to screen readers. Works inside antd and antd-mobile forms alike.
 */
export function FormError({ text }: { text: string | null }) {
  return text ? (
    <p role="alert" className="form-error">
      {text}
    </p>
  ) : null;
}
