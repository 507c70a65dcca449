// Vant on demand: the style of each component the sidebar uses, nothing else (the JS is imported per component
// where it is used and tree-shaken). Add a line here when a new vant component is used.
import 'vant/es/action-sheet/style';
import 'vant/es/badge/style';
import 'vant/es/button/style';
import 'vant/es/cell/style';
import 'vant/es/dialog/style';
import 'vant/es/empty/style';
import 'vant/es/field/style';
import 'vant/es/icon/style';
import 'vant/es/list/style';
import 'vant/es/loading/style';
import 'vant/es/popup/style';
import 'vant/es/search/style';
import 'vant/es/tab/style';
import 'vant/es/tabs/style';
import 'vant/es/toast/style';
