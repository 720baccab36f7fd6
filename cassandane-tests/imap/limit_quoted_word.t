#!/usr/bin/perl
# limit_quoted_word.t - maxquoted and maxword: a quoted string or an atom
# one byte over the limit is BAD with a message naming the option, one at
# the limit parses; before login the smaller of the option and the
# built-in pre-auth cap (1024 for quoted strings) applies; literals are
# bounded by neither; the session goes on after each error.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::RawIMAP::imapd_node(config => {
    maxline => 1048576, maxline_preauth => 65536,
    maxquoted => 2048, maxword => 3000,
    maxbadcommands_preauth => 20, maxbadcommands => 20,
});
my $c = Murder::RawIMAP->connect($n);

# before login: quoted capped at 1024 (lib/limits.h), word at maxword
like(scalar $c->cmd('XNOOP "' . ('q' x 1025) . '"'),
     qr/^t1 BAD Quoted string too long \(maxquoted=1024\)/, 'pre-auth quoted cap');
like(scalar $c->cmd('XNOOP "' . ('q' x 1024) . '"'),
     qr/^t2 BAD Unknown command/, 'pre-auth quoted at the cap parses');
like(scalar $c->cmd('XNOOP ' . ('w' x 3001)),
     qr/^t3 BAD Word too long \(maxword=3000\)/, 'pre-auth word: maxword is smaller');
like(scalar $c->cmd('NOOP'), qr/^t4 OK/, 'session goes on');

like($c->login('alice', 'alice-pw'), qr/^t5 OK/, 'login');
like(scalar $c->cmd('XNOOP "' . ('q' x 2049) . '"'),
     qr/^t6 BAD Quoted string too long \(maxquoted=2048\)/, 'quoted over maxquoted');
like(scalar $c->cmd('XNOOP "' . ('q' x 2048) . '" ' . ('w' x 3000)),
     qr/^t7 BAD Unknown command/, 'quoted and word at the limits parse');
like(scalar $c->cmd('XNOOP ' . ('w' x 3001) . ' {3+}' . "\r\nabc"),
     qr/^t8 BAD Word too long \(maxword=3000\)/, 'word over maxword, literal skipped');
like(scalar $c->cmd('SELECT "INBOX" (' . '\\' . ('X' x 3000) . ')'),
     qr/^t9 BAD Word too long/, 'overlong flag word in a list');
$c->send("t10 XNOOP {5000+}\r\n" . ('l' x 5000) . "\r\n");
like(scalar $c->until_tag('t10'), qr/^t10 BAD Unknown command/,
     'a literal is bounded by neither');
$c->{tag} = 10;
like(scalar $c->cmd('NOOP'), qr/^t11 OK/, 'session goes on');
ok($n->wait_for_log(qr/PROTOERR.*Quoted string too long/, 5), 'PROTOERR logged');
$n->stop;
done_testing;
