import { useState } from 'react';
import { Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { FormError } from './FormError.js';
import { useFieldErrors } from './errors.js';

/**
 * Asks for the reason of a decision the audit trail keeps (a suspension, a restoration), then runs
 * it: the API's refusal lands beside the reason or above it, and the dialog stays open. A desktop
 * dialog (antd): import it only from desktop screens' modules, never from the worker's phone pages.
 */
export function ReasonDialog({
  name,
  title,
  confirmText,
  danger,
  fieldHints,
  onSubmit,
  onCancel,
}: {
  /** The form's name and id (its fields' ids start with it). */
  name: string;
  title: string;
  confirmText: string;
  /** A red confirm button, for decisions that take something away. */
  danger: boolean;
  /** Where the area's per-field hints are (`<area>.fieldErrors`). */
  fieldHints: string[];
  /** Applies the decision; throws the API's error. */
  onSubmit: (reason: string) => Promise<void>;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const { formError: error, run } = useFieldErrors(form, { fieldHints });
  const submit = async ({ reason }: { reason: string }) => {
    setBusy(true);
    await run(() => onSubmit(reason));
    setBusy(false);
  };
  return (
    <Modal
      open
      title={title}
      onCancel={onCancel}
      okText={confirmText}
      cancelText={t('common.cancel')}
      okButtonProps={{ danger, loading: busy, htmlType: 'submit', form: name }}
      destroyOnHidden
    >
      <Form form={form} id={name} name={name} layout="vertical" onFinish={(v) => void submit(v)}>
        <Form.Item
          name="reason"
          label={t('common.reasonDialog.reason')}
          rules={[{ required: true, whitespace: true, message: t('common.reasonDialog.reasonRequired') }]}
        >
          <Input.TextArea rows={3} autoFocus />
        </Form.Item>
        <FormError text={error} />
      </Form>
    </Modal>
  );
}
