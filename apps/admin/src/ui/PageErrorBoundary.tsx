import { Component, type ErrorInfo, type ReactNode } from 'react';
import { isChunkLoadError, retryLazyPages } from '../lib/lazyPage';
import { Button } from './Button';

interface Props {
  /** Changes when the user navigates: the boundary then clears the error and tries again. */
  resetKey: string;
  children: ReactNode;
}

interface State {
  error: unknown;
  key: string;
}

/**
 * Catches a page that failed to render or whose code could not be downloaded and offers a way
 * out (Reload / Try again) instead of a blank screen; Back or any navigation recovers too.
 */
export class PageErrorBoundary extends Component<Props, State> {
  state: State = { error: null, key: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error ?? new Error('Unknown error') };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    return props.resetKey !== state.key ? { error: null, key: props.resetKey } : null;
  }

  componentDidUpdate(prev: Props): void {
    // After a navigation, pages whose code failed before are fetched again (once per navigation;
    // never from render, which React may repeat).
    if (prev.resetKey !== this.props.resetKey && retryLazyPages() && this.state.error) {
      this.setState({ error: null });
    }
  }

  componentDidCatch(error: unknown, info: ErrorInfo): void {
    if (!isChunkLoadError(error)) console.error('page failed to render', error, info.componentStack);
  }

  private retry = () => {
    retryLazyPages();
    this.setState({ error: null });
  };

  render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    const chunk = isChunkLoadError(error);
    return (
      <div className="state error" role="alert" data-testid="page-error">
        <h1 className="state-title">{chunk ? 'This page couldn’t be loaded' : 'This page hit a problem'}</h1>
        <p>
          {chunk
            ? 'The server may be restarting or a new version was just deployed. Reload to get the latest version; your other tabs are not affected.'
            : 'Something went wrong while showing this page. Reloading usually fixes it.'}
        </p>
        <div className="row center">
          <Button variant="primary" onClick={() => window.location.reload()}>
            Reload
          </Button>
          <Button onClick={this.retry}>Try again</Button>
          <Button variant="ghost" onClick={() => window.history.back()}>
            Go back
          </Button>
        </div>
      </div>
    );
  }
}
