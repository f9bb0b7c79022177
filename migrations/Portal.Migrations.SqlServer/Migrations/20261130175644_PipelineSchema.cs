using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class PipelineSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "OutputBlocklist",
                table: "TenantPolicies",
                newName: "OutputRules");

            migrationBuilder.RenameColumn(
                name: "InputBlocklist",
                table: "TenantPolicies",
                newName: "InputRules");

            migrationBuilder.AddColumn<Guid>(
                name: "MessageId",
                table: "UsageRecords",
                type: "uniqueidentifier",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AllowedModelIds",
                table: "TenantPolicies",
                type: "nvarchar(max)",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "CustomPiiPatterns",
                table: "TenantPolicies",
                type: "nvarchar(max)",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "SelfCheckStreaming",
                table: "TenantPolicies",
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "PolicyActions",
                table: "Messages",
                type: "nvarchar(max)",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "PolicyVersion",
                table: "Messages",
                type: "int",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "RevisedUnderPrinciple",
                table: "Messages",
                type: "int",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SelfCheckCritique",
                table: "Messages",
                type: "nvarchar(max)",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SelfCheckDraft",
                table: "Messages",
                type: "nvarchar(max)",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "LegalHold",
                table: "Conversations",
                type: "bit",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "LegalHoldSetAt",
                table: "Conversations",
                type: "datetimeoffset",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "LegalHoldSetByUserId",
                table: "Conversations",
                type: "uniqueidentifier",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_UsageRecords_MessageId",
                table: "UsageRecords",
                column: "MessageId");

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_TenantId_UpdatedAt",
                table: "Conversations",
                columns: new[] { "TenantId", "UpdatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_UsageRecords_MessageId",
                table: "UsageRecords");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_TenantId_UpdatedAt",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "MessageId",
                table: "UsageRecords");

            migrationBuilder.DropColumn(
                name: "AllowedModelIds",
                table: "TenantPolicies");

            migrationBuilder.DropColumn(
                name: "CustomPiiPatterns",
                table: "TenantPolicies");

            migrationBuilder.DropColumn(
                name: "SelfCheckStreaming",
                table: "TenantPolicies");

            migrationBuilder.DropColumn(
                name: "PolicyActions",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "PolicyVersion",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "RevisedUnderPrinciple",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "SelfCheckCritique",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "SelfCheckDraft",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "LegalHold",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "LegalHoldSetAt",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "LegalHoldSetByUserId",
                table: "Conversations");

            migrationBuilder.RenameColumn(
                name: "OutputRules",
                table: "TenantPolicies",
                newName: "OutputBlocklist");

            migrationBuilder.RenameColumn(
                name: "InputRules",
                table: "TenantPolicies",
                newName: "InputBlocklist");
        }
    }
}
