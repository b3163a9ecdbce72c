// A few DOM helpers instead of a framework: the console is a handful of forms and tables.

/** Creates an element: `props` are attributes, `on…` listeners, and `class`; children are nodes, strings or arrays. */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name === 'value') element.value = value;
    else if (name === 'checked') element.checked = Boolean(value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of `parent`. */
export function mount(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
  return parent;
}

let ids = 0;
/** A unique id for pairing a label with its control. */
export const uid = (prefix) => `${prefix}-${++ids}`;

/** A labelled control: the label's `for` names the control's id. */
export function field(label, control, hint) {
  control.id ||= uid('field');
  const hintId = hint ? `${control.id}-hint` : null;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hint && h('small', { id: hintId }, hint));
}

/** A group of checkboxes (one per option) inside a fieldset with a legend; `read()` gives the checked values. */
export function checkboxes(legend, options, checked = []) {
  const boxes = options.map((option) => {
    const value = typeof option === 'string' ? option : option.value;
    const label = typeof option === 'string' ? option : option.label;
    const box = h('input', { type: 'checkbox', name: legend, value, id: uid('check'), checked: checked.includes(value) });
    return { value, box, node: h('div', { class: 'check' }, box, h('label', { for: box.id }, label)) };
  });
  const group = h('fieldset', {}, h('legend', {}, legend), boxes.map((b) => b.node));
  return { node: group, read: () => boxes.filter((b) => b.box.checked).map((b) => b.value) };
}

/** Radio buttons in a fieldset; `read()` gives the chosen value; `onChange` is told each choice. */
export function radios(legend, options, chosen, onChange) {
  const name = uid('radio');
  const inputs = options.map(([value, label]) => {
    const input = h('input', { type: 'radio', name, value, id: uid('radio'), checked: value === chosen, onchange: () => onChange?.(value) });
    return { input, node: h('div', { class: 'check' }, input, h('label', { for: input.id }, label)) };
  });
  return { node: h('fieldset', {}, h('legend', {}, legend), inputs.map((i) => i.node)), read: () => inputs.find((i) => i.input.checked)?.input.value };
}

/** A select with a label; options are [value, text] pairs. */
export function select(options, value, props = {}) {
  return h('select', props, options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
}

/** A table with a caption; rows are arrays of cells (nodes or text). */
export function table(caption, headings, rows, empty = 'None.') {
  if (rows.length === 0) return h('p', { class: 'empty' }, `${caption}: ${empty}`);
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headings.map((text) => h('th', { scope: 'col' }, text)))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((cell) => h('td', {}, cell))))));
}

export function formatTime(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC';
}
