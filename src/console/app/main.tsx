// The admin console's entry point: renders the app into the page the server hands out at /admin, /reset and /welcome.
import { render } from 'preact';
import { App } from './app';

render(<App />, document.getElementById('app')!);
