import { render } from 'preact';
import { App } from './shell/app.tsx';
import { handleLinkClick } from './router.ts';
import './styles.css';

document.addEventListener('click', handleLinkClick);
render(<App />, document.getElementById('app')!);
