import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { view } from './view';
import { render } from 'preact';
import { App } from './app';

render(view`<${App} />`, document.getElementById('app')!);
