// Wiring only: the worker's behaviour is src/background/.
import { defineBackground } from 'wxt/utils/define-background';
import { startBackground } from '../src/background/main';

export default defineBackground(() => startBackground());
