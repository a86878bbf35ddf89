import test from 'ava';
import { renderText } from '../../src/template/render.js';

test('quote makes any value literal data for a shell, like Ansible\'s | quote', (t) => {
  const nasty = `it's $(rm -rf /) \`id\`; "x"\nnext`;
  t.is(renderText('echo {{quote v}}', { v: nasty }), `echo 'it'"'"'s $(rm -rf /) \`id\`; "x"\nnext'`, "Python's shlex.quote, as Ansible");
  t.is(renderText('echo {{ v | quote }}', { v: nasty }), renderText('echo {{quote v}}', { v: nasty }), 'the helper is the filter');
  t.is(renderText('{{quote n}}', { n: 5060 }), '5060');
  t.is(renderText('{{quote v}}', { v: '' }), "''");
});
