import { render } from 'preact';
import '../../assets/styles.css';
import { PopupApp } from '../../src/ui/popup/popup-app';

render(<PopupApp />, document.getElementById('app')!);
