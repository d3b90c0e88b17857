import { InputNumber, type InputNumberProps } from 'antd';

type Props = Omit<InputNumberProps<number>, 'value' | 'onChange' | 'precision' | 'addonAfter'> & {
  /** The amount in fen, as the API takes it. */
  value?: number | null;
  onChange?: (fen: number | null) => void;
};

/**
 * An amount typed in yuan (two decimals) whose value is in fen: forms hold what the API takes
 * (`budgetFen`, `amountFen`), so its errors land on the right field, while people read and type 元.
 */
export function YuanInput({ value, onChange, ...props }: Props) {
  return (
    <InputNumber<number>
      {...props}
      style={{ width: 220, ...props.style }}
      value={value == null ? null : value / 100}
      onChange={(yuan) => onChange?.(yuan == null ? null : Math.round(yuan * 100))}
      precision={2}
      step={100}
      addonAfter="元"
    />
  );
}
